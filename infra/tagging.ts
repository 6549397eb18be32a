/**
 * The tags every taggable resource carries: cost allocation, ownership and environment. The
 * stack's AWS providers apply them as default tags (components/providers.ts), which the provider
 * merges into each resource's `tagsAll`; a tag a resource sets itself, such as `Name`, is kept.
 */
export function standardTags(project: string, stack: string): Record<string, string> {
  return { Project: project, Environment: stack, ManagedBy: 'pulumi' };
}
