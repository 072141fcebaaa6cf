/** EKS cluster names: 1-100 characters, alphanumeric first, then alphanumerics, '-' and '_' (EKS API CreateCluster). */
const EKS_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** One cluster per stack, named after the project and stack so several stacks share an account. */
export function eksClusterName(project: string, stack: string): string {
  const name = `${project}-${stack}`;
  if (!EKS_NAME.test(name)) {
    throw new Error(
      `EKS cluster name "${name}" (project-stack) must be 1-100 letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  return name;
}
