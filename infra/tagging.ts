/**
 * The tags every taggable resource carries: cost allocation, ownership and environment (the
 * stack's `environment` setting, not its name: every stack of prod is tagged prod). The
 * stack's AWS providers apply them as default tags (components/providers.ts), which the provider
 * merges into each resource's `tagsAll`; a tag a resource sets itself, such as `Name`, is kept.
 */
export function standardTags(project: string, environment: string): Record<string, string> {
  return { Project: project, Environment: environment, ManagedBy: 'pulumi' };
}
