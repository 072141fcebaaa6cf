/**
 * Task-definition families are account-and-region wide, so two stacks in one account must not
 * share one: the Hub's RunTask right is scoped by family. ECS allows letters, digits, `-` and `_`
 * up to 255 characters (ECS API, RegisterTaskDefinition `family`); Pulumi stack names may also hold `.`.
 */
export function taskFamily(project: string, stack: string, role: string): string {
  const family = `${project}-${stack}-${role}`.replace(/[^A-Za-z0-9_-]/g, "-");
  if (family.length > 255)
    throw new Error(`task-definition family "${family}" is longer than 255 characters`);
  return family;
}
