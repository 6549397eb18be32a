import { tls12OrNewer } from '../../policy/tls';
import { check, resource } from '../support/policyCheck';

/** The policy pack's TLS rules, each against resources that break it and keep it. */
describe('tls-1-2-or-newer', () => {
  const distribution = (props: Record<string, unknown>) =>
    resource('aws:cloudfront/distribution:Distribution', {
      defaultCacheBehavior: { viewerProtocolPolicy: 'redirect-to-https' },
      origins: [{ originId: 'alb', customOriginConfig: { originSslProtocols: ['TLSv1.2'] } }],
      viewerCertificate: {
        acmCertificateArn: 'arn:aws:acm:cert',
        minimumProtocolVersion: 'TLSv1.2_2021',
      },
      ...props,
    });
  const listener = (sslPolicy?: string) =>
    resource('aws:lb/listener:Listener', { protocol: 'HTTPS', port: 443, sslPolicy });
  const redis = (props: Record<string, unknown>) =>
    resource('aws:elasticache/replicationGroup:ReplicationGroup', props);

  it('fails plain HTTP viewers, old viewer and origin TLS, old listener policies and plain Redis', async () => {
    expect(
      await check(
        tls12OrNewer,
        distribution({
          orderedCacheBehaviors: [{ pathPattern: '/widget*', viewerProtocolPolicy: 'allow-all' }],
          origins: [
            {
              originId: 'alb',
              customOriginConfig: { originSslProtocols: ['TLSv1.1', 'TLSv1.2'] },
            },
          ],
          viewerCertificate: { acmCertificateArn: 'arn', minimumProtocolVersion: 'TLSv1_2016' },
        }),
        listener('ELBSecurityPolicy-2016-08'),
        listener(undefined),
        redis({ transitEncryptionEnabled: false }),
        redis({ transitEncryptionEnabled: true, transitEncryptionMode: 'preferred' }),
      ),
    ).toEqual([
      expect.stringContaining('/widget* serves viewers plain HTTP'),
      expect.stringContaining('allows TLSv1_2016'),
      expect.stringContaining('Origin alb allows TLSv1.1'),
      expect.stringContaining('ELBSecurityPolicy-2016-08'),
      expect.stringContaining('the default'),
      expect.stringContaining('not encrypted in transit'),
      expect.stringContaining('plain-text clients'),
    ]);
  });

  it('passes TLS 1.2+ everywhere, CloudFront’s own certificate, and HTTP listeners', async () => {
    expect(
      await check(
        tls12OrNewer,
        distribution({}),
        distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true } }),
        listener('ELBSecurityPolicy-TLS13-1-2-2021-06'),
        listener('ELBSecurityPolicy-TLS-1-2-Ext-2018-06'),
        resource('aws:lb/listener:Listener', { protocol: 'HTTP', port: 80 }),
        redis({ transitEncryptionEnabled: true }),
      ),
    ).toEqual([]);
  });
});
