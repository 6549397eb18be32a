/**
 * Imports a part of the widget kept out of the core, `widget-<name>.js` from beside the script
 * that loaded the widget: the core stays within its size budget, and pages that never need a part
 * load none of it.
 */
export function importChunk<Module>(
  name: string,
  script: HTMLScriptElement | null,
): Promise<Module> {
  return import(new URL(`widget-${name}.js`, script?.src || location.href).href) as Promise<Module>;
}
