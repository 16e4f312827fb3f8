// A scenario is one user story in the workbench: one file in test/e2e/scenarios/ that default-exports
// `scenario({...})`. The runner gives each a fresh browser page on the shared code-server, takes its screenshot
// and fails it on an error toast or an error in the extension host log; the file only says what the user does.
import type { Workbench } from './workbench';

export interface Scenario {
  /** Shown in the report; the screenshot is test-results/e2e/<file name>.png. */
  title: string;
  /**
   * Commands the scenario drives: it is skipped, with the reason printed, while the packaged manifest does not
   * contribute them yet (features land one by one).
   */
  requires?: string[];
  /** Error-log lines the scenario expects (a deliberate failure it provokes), as patterns. */
  allowedErrors?: RegExp[];
  run(wb: Workbench): Promise<void>;
}

export function scenario(s: Scenario): Scenario {
  return s;
}

/** Thrown (through `Workbench.skip`) when something a scenario depends on has not landed: reported as skipped. */
export class SkipScenario extends Error {}
