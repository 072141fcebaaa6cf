/**
 * A placeholder's PriorityClass sits at or above the autoscaler's expendable cutoff, or its pending pods
 * never trigger a scale-up and the headroom silently never comes back (cluster-autoscaler FAQ.md), and
 * below zero, the priority of sandboxes, or sandboxes cannot preempt it.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/resources";
import { Unknowns } from "../lib/unknowns";
import { autoscalerReleases } from "./autoscaler";
import { placeholders, priorityClasses } from "./placeholders";

export const placeholderPriorityAtCutoff: StackValidationPolicy = {
  name: "placeholder-priority-at-or-above-cutoff",
  description:
    "Placeholder pods' PriorityClass is >= cluster-autoscaler's --expendable-pods-priority-cutoff and < 0.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const releases = unknowns.ifKnown(() => autoscalerReleases(args.resources)) ?? [];
    if (releases.length === 0) {
      unknowns.done();
      return;
    }
    // With several autoscalers, the highest cutoff is the one a placeholder must clear.
    const governing = releases.reduce((a, b) => (b.cutoff > a.cutoff ? b : a));
    const classes = priorityClasses(args.resources, unknowns);
    unknowns.each(placeholders(args.resources, unknowns), (placeholder) => {
      const className = placeholder.spec.priorityClassName!;
      const priorityClass = classes.get(className);
      if (!priorityClass) {
        reportViolation(
          `${describe(placeholder.resource)} uses PriorityClass "${className}", which the program does not declare. Fix: declare it with value ${governing.cutoff}.`,
          placeholder.resource.urn,
        );
        return;
      }
      const value = Number(priorityClass.props.value);
      const fix = `Fix: value ${governing.cutoff}, the cutoff of ${describe(governing.resource)} (placeholderPriorityClass).`;
      if (!(value >= governing.cutoff)) {
        reportViolation(
          `${describe(priorityClass)} has value ${value}, below --expendable-pods-priority-cutoff ${governing.cutoff}: pending placeholders will never add a node. ${fix}`,
          priorityClass.urn,
        );
      } else if (value >= 0) {
        reportViolation(
          `${describe(priorityClass)} has value ${value}: sandboxes (priority 0) cannot preempt the placeholders. ${fix}`,
          priorityClass.urn,
        );
      }
    });
    unknowns.done();
  },
};
