import type { Database } from "../../infra/db/database.js";
import type { Clock } from "../../kernel/index.js";
import { type Dashboard, type DashboardRequest, dashboard } from "./dashboard.js";
import { type RollUpOptions, type RollUpResult, rollUpStats } from "./rollup.js";

/** The dashboard as the admin surface calls it. */
export class StatsService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  dashboard(request: DashboardRequest): Promise<Dashboard> {
    return dashboard(this.database, request);
  }

  /** The background job's work, run now (tests, the bench, `kopilka` tools). */
  rollUp(options?: RollUpOptions): Promise<RollUpResult> {
    return rollUpStats(this.database, this.clock.now(), options);
  }
}
