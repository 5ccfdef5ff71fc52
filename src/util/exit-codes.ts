/**
 * The exit statuses falco-ts documents (README, "Exit codes"). 0, 1 and 2 are written as
 * numbers where they are returned; the status for lost alerts has a name so every command
 * that delivers alerts uses the same one.
 */

/** some alert could not be delivered to an output (failed or dropped): distinct from 1 and 2 */
export const EXIT_ALERTS_LOST = 3;
