import type { Policies } from "@pulumi/policy";
import { iamNoWildcards } from "./iam-wildcards";
import { irsaTrustPinned } from "./irsa-trust";
import { iamPassRoleScoped } from "./pass-role";

/** Every role can do what its holder needs and nothing more. */
export const leastPrivilegePolicies: Policies = [iamNoWildcards, iamPassRoleScoped, irsaTrustPinned];
