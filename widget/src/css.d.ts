/** Stylesheets are bundled as minified text (see scripts/build.mjs) for the shadow root's <style>. */
declare module '*.css' {
  const css: string;
  export default css;
}
