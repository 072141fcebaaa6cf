/** The folder of the Hub's code (src/ under tsx, dist/ when built): entry points hand it to the orchestrator. */
export const HUB_CODE_DIRECTORY: string = import.meta.dirname;
