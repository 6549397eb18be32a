import { unitNormalise, zeroVector } from './vector-math';

describe('unitNormalise', () => {
  it('scales a vector to length 1, keeping its direction', () => {
    expect(unitNormalise([3, 4])).toEqual([0.6, 0.8]);
    expect(unitNormalise(Float32Array.of(0, -2, 0))).toEqual([0, -1, 0]);
  });

  it('leaves the zero vector at zero rather than dividing by zero', () => {
    expect(unitNormalise([0, 0, 0])).toEqual([0, 0, 0]);
  });
});

describe('zeroVector', () => {
  it('has the requested length', () => {
    expect(zeroVector(3)).toEqual([0, 0, 0]);
  });
});
