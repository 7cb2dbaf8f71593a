import { promqlString } from "../promql/escape";
import type { SloSpec } from "../spec/slo";
import { durationToSeconds, type Tier } from "../spec/common";
import {
  alertsAnnotation,
  type CommonDashboardOptions,
  dashboardShell,
  GridLayout,
  labelValuesVariable,
  override,
  promDatasource,
  promTarget,
  stat,
  table,
  textPanel,
  timeseries,
} from "./builder";
import { dashboardUid, type Dashboard } from "./model";

/**
 * What the SLO dashboards need to know about one SLO. A full `SloSpec` fits `slo`; `team` and
 * `tier` come from the owning service. All queries read the shared recording rules from
 * docs/contracts.md, so dashboards never embed SLI queries.
 */
export type SloDashboardBundle = {
  slo: Pick<SloSpec, "slug" | "name" | "service" | "objective" | "window"> & {
    description?: string;
    alerting?: { windows?: Array<{ longWindow: string; shortWindow: string; burnRate: number; severity: "page" | "ticket" }> };
  };
  team: string;
  tier?: Tier;
  /**
   * `slo_window` values the rule generator records `slo:burn_rate` for. Defaults to the standard
   * set every SLO records (5m, 30m, 1h, 2h, 6h, 1d, 3d) plus the SLO's alert windows.
   */
  burnWindows?: string[];
  /** `slo_window` value of the period-long error ratio (default: "7d", "28d" or "30d" from the SLO window). */
  periodWindow?: string;
};

export type SloDashboardOptions = CommonDashboardOptions & {
  /** Burn-rate columns of the overview table (default 1h, 6h, 1d, 3d). */
  overviewWindows?: string[];
};

export const SLO_DASHBOARD_BURN_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
/** Long windows of the workbook's multiwindow alerts: the burn-rate columns of the overview table. */
export const SLO_DASHBOARD_LONG_WINDOWS = ["1h", "6h", "1d", "3d"] as const;
const DEFAULT_BURN_THRESHOLDS = [14.4, 6, 3, 1];

const SHARED_FILTER = 'team=~"$team",service=~"$service"';

export function sloDashboardPeriodWindow(bundle: SloDashboardBundle): string {
  if (bundle.periodWindow) return bundle.periodWindow;
  // same as the rule generator: the period in seconds printed as the shortest duration (calendar month = 30d)
  return bundle.slo.window === "calendar-month" ? "30d" : bundle.slo.window;
}

function sortWindows(ws: Iterable<string>): string[] {
  return [...new Set(ws)].sort((a, b) => durationToSeconds(a) - durationToSeconds(b) || a.localeCompare(b));
}

/**
 * Burn-rate windows drawn for one SLO: the standard windows every SLO records (5m … 3d) plus the
 * SLO's own alert windows, unless `bundle.burnWindows` lists them explicitly.
 */
export function sloDashboardBurnWindows(bundle: SloDashboardBundle): string[] {
  if (bundle.burnWindows?.length) return sortWindows(bundle.burnWindows);
  const alertWindows = bundle.slo.alerting?.windows ?? [];
  return sortWindows([...SLO_DASHBOARD_BURN_WINDOWS, ...alertWindows.flatMap((w) => [w.longWindow, w.shortWindow])]);
}

function burnThresholds(bundle: SloDashboardBundle): number[] {
  const fromAlerts = bundle.slo.alerting?.windows?.map((w) => w.burnRate);
  return [...new Set(fromAlerts?.length ? fromAlerts : DEFAULT_BURN_THRESHOLDS)].sort((a, b) => a - b);
}

function sortedBundles(bundles: SloDashboardBundle[]): SloDashboardBundle[] {
  return [...bundles].sort((a, b) => a.slo.slug.localeCompare(b.slo.slug));
}

function formatObjective(objective: number): string {
  return `${Number(objective.toFixed(6))}%`;
}

/**
 * Overview of every SLO: headline stats, a table with objective, budget remaining and burn rate
 * per long window (one row per SLO, linking to its service dashboard) and budget trends.
 */
export function sloOverviewDashboard(bundles: SloDashboardBundle[], opts: SloDashboardOptions = {}): Dashboard {
  const ds = promDatasource(opts.datasourceUid);
  // long windows of the workbook alerts; the rule generator records them for every SLO
  const windows = sortWindows(opts.overviewWindows ?? SLO_DASHBOARD_LONG_WINDOWS);
  const by = "max by (slo, service, team, tier)";
  const grid = new GridLayout();

  grid
    .add(
      stat(ds, {
        title: "SLOs",
        description: "SLOs with recording rules loaded for the selected teams and services.",
        targets: [promTarget(ds, "A", `count(slo:info{${SHARED_FILTER}}) or vector(0)`, { instant: true })],
        thresholds: [["blue", null]],
      }),
      6,
      4,
    )
    .add(
      stat(ds, {
        title: "Budget exhausted",
        description: "SLOs whose error budget for the current period is used up (remaining below 0).",
        targets: [promTarget(ds, "A", `count(slo:error_budget_remaining:ratio{${SHARED_FILTER}} < 0) or vector(0)`, { instant: true })],
        thresholds: [["green", null], ["red", 1]],
      }),
      6,
      4,
    )
    .add(
      stat(ds, {
        title: "Budget below 25%",
        targets: [promTarget(ds, "A", `count(slo:error_budget_remaining:ratio{${SHARED_FILTER}} < 0.25) or vector(0)`, { instant: true })],
        thresholds: [["green", null], ["orange", 1]],
      }),
      6,
      4,
    )
    .add(
      stat(ds, {
        title: "Burn-rate alerts firing",
        targets: [
          promTarget(ds, "A", `count(ALERTS{alertname="SLOErrorBudgetBurn",alertstate="firing",${SHARED_FILTER}}) or vector(0)`, {
            instant: true,
          }),
        ],
        thresholds: [["green", null], ["red", 1]],
      }),
      6,
      4,
    );

  const targets = [
    promTarget(ds, "A", `${by} (slo:objective:ratio{${SHARED_FILTER}})`, { instant: true, table: true }),
    promTarget(ds, "B", `${by} (slo:error_budget_remaining:ratio{${SHARED_FILTER}})`, { instant: true, table: true }),
    ...windows.map((w, i) =>
      promTarget(ds, String.fromCharCode(67 + i), `${by} (slo:burn_rate{${SHARED_FILTER},slo_window="${w}"})`, { instant: true, table: true }),
    ),
  ];
  const renameByName: Record<string, string> = { slo: "SLO", service: "Service", team: "Team", tier: "Tier", "Value #A": "Objective", "Value #B": "Budget remaining" };
  const indexByName: Record<string, number> = { slo: 0, service: 1, team: 2, tier: 3, "Value #A": 4, "Value #B": 5 };
  windows.forEach((w, i) => {
    const col = `Value #${String.fromCharCode(67 + i)}`;
    renameByName[col] = `Burn rate ${w}`;
    indexByName[col] = 6 + i;
  });
  const burnColor = {
    "custom.cellOptions": { type: "color-background", mode: "basic" },
    thresholds: { mode: "absolute", steps: [{ color: "green", value: null }, { color: "yellow", value: 1 }, { color: "orange", value: 6 }, { color: "red", value: 14.4 }] },
    decimals: 2,
    unit: "x",
  };
  grid.add(
    table(ds, {
      title: "SLO status",
      description:
        "Budget remaining is 1 - (period error ratio / error budget); negative means the SLO is violated. Burn rate 1 spends the budget exactly over the period.",
      targets,
      transformations: [
        { id: "merge", options: {} },
        { id: "organize", options: { excludeByName: { Time: true }, indexByName, renameByName } },
      ],
      overrides: [
        override("Objective", { unit: "percentunit", decimals: 3 }),
        override("Budget remaining", {
          unit: "percentunit",
          decimals: 1,
          "custom.cellOptions": { type: "color-background", mode: "basic" },
          thresholds: { mode: "absolute", steps: [{ color: "red", value: null }, { color: "orange", value: 0 }, { color: "green", value: 0.25 }] },
        }),
        override("Service", {
          links: [{ title: "Service SLOs", url: "/d/slo-svc-${__data.fields.Service}?${__url_time_range}" }],
        }),
        ...windows.map((w) => override(`Burn rate ${w}`, burnColor)),
      ],
      sortBy: { displayName: "Budget remaining", desc: false },
    }),
    24,
    Math.min(24, 5 + Math.max(1, bundles.length)),
  );

  grid
    .add(
      timeseries(ds, {
        title: "Error budget remaining",
        targets: [promTarget(ds, "A", `slo:error_budget_remaining:ratio{${SHARED_FILTER}}`, { legend: "{{slo}}" })],
        unit: "percentunit",
        thresholds: [["red", null], ["transparent", 0]],
        thresholdLines: true,
      }),
      12,
      9,
    )
    .add(
      timeseries(ds, {
        title: `Top 10 burn rates (${windows[0] ?? "1h"})`,
        targets: [
          promTarget(ds, "A", `topk(10, slo:burn_rate{${SHARED_FILTER},slo_window="${windows[0] ?? "1h"}"})`, { legend: "{{slo}}" }),
        ],
        unit: "x",
        min: 0,
        thresholds: [["green", null], ["red", 1]],
        thresholdLines: true,
      }),
      12,
      9,
    );

  return dashboardShell({
    uid: "slo-overview",
    title: "SLO overview",
    description: "Every SLO managed by Burnrate: objective, error budget remaining and burn rate per window.",
    tags: ["slo"],
    panels: grid.panels(),
    variables: [
      labelValuesVariable(ds, "team", "Team", "label_values(slo:info, team)"),
      labelValuesVariable(ds, "service", "Service", 'label_values(slo:info{team=~"$team"}, service)'),
    ],
    annotations: [
      alertsAnnotation(
        ds,
        "SLO burn alerts",
        `ALERTS{alertname="SLOErrorBudgetBurn",alertstate="firing",severity="page",${SHARED_FILTER}}`,
        "{{slo}}: {{burn_tier}} burn ({{long_window}}/{{short_window}})",
        "slo,severity,burn_tier",
      ),
    ],
    opts,
    defaultFrom: "now-7d",
  });
}

/**
 * One service: a row per SLO with budget, SLI over time, burn rate per window and the budget
 * burndown over the whole SLO period; burn alerts as annotations.
 */
export function serviceSloDashboard(service: string, bundles: SloDashboardBundle[], opts: SloDashboardOptions = {}): Dashboard {
  const ds = promDatasource(opts.datasourceUid);
  const mine = sortedBundles(bundles.filter((b) => b.slo.service === service));
  const svc = promqlString(service);
  const grid = new GridLayout();
  const team = mine[0]?.team;

  if (mine.length === 0) {
    grid.add(textPanel("No SLOs", `No SLOs are defined for service \`${service}\` yet.`), 24, 3);
  }
  for (const b of mine) {
    const slo = promqlString(b.slo.slug);
    const sel = `slo=${slo}`;
    const period = sloDashboardPeriodWindow(b);
    grid.row(`${b.slo.name} — ${formatObjective(b.slo.objective)} over ${b.slo.window}`);
    grid
      .add(
        stat(ds, {
          title: "Error budget remaining",
          description: `Share of the ${b.slo.window} error budget left. Negative means the SLO is violated.`,
          targets: [promTarget(ds, "A", `slo:error_budget_remaining:ratio{${sel}}`, { instant: true })],
          unit: "percentunit",
          decimals: 1,
          thresholds: [["red", null], ["orange", 0], ["green", 0.25]],
        }),
        4,
        4,
      )
      .add(
        stat(ds, {
          title: `SLI (${period})`,
          description: `Good events over all events for the SLO period; objective ${formatObjective(b.slo.objective)}.`,
          targets: [promTarget(ds, "A", `1 - slo:sli_error:ratio{${sel},slo_window="${period}"}`, { instant: true })],
          unit: "percentunit",
          decimals: 3,
          thresholds: [["red", null], ["green", b.slo.objective / 100]],
        }),
        4,
        4,
      )
      .add(
        stat(ds, {
          title: "Objective",
          targets: [promTarget(ds, "A", `slo:objective:ratio{${sel}}`, { instant: true })],
          unit: "percentunit",
          decimals: 3,
          thresholds: [["blue", null]],
        }),
        4,
        4,
      )
      .add(
        stat(ds, {
          title: `Events (${period})`,
          description: "Events counted in the SLO period; few events make the SLI noisy.",
          targets: [promTarget(ds, "A", `slo:sli_total:period{${sel}}`, { instant: true })],
          unit: "short",
          thresholds: [["blue", null]],
        }),
        4,
        4,
      )
      .add(
        stat(ds, {
          title: "Burn-rate alerts firing",
          targets: [promTarget(ds, "A", `count(ALERTS{alertname="SLOErrorBudgetBurn",alertstate="firing",${sel}}) or vector(0)`, { instant: true })],
          thresholds: [["green", null], ["red", 1]],
        }),
        8,
        4,
      );
    grid
      .add(
        timeseries(ds, {
          title: "SLI (5m) vs objective",
          targets: [
            promTarget(ds, "A", `1 - (sum(slo:sli_error:rate5m{${sel}}) / sum(slo:sli_total:rate5m{${sel}}))`, { legend: "SLI" }),
            promTarget(ds, "B", `slo:objective:ratio{${sel}}`, { legend: "objective" }),
          ],
          unit: "percentunit",
          decimals: 3,
        }),
        12,
        8,
      )
      .add(
        timeseries(ds, {
          title: "Burn rate per window",
          description: `Burn rate = error ratio / error budget. Alert thresholds: ${burnThresholds(b).join(", ")}.`,
          targets: [
            promTarget(ds, "A", `slo:burn_rate{${sel},slo_window=~"${sloDashboardBurnWindows(b).join("|")}"}`, { legend: "{{slo_window}}" }),
          ],
          unit: "x",
          min: 0,
          thresholds: [["green", null], ...burnThresholds(b).map((t, i, all): [string, number] => [i === all.length - 1 ? "red" : "orange", t])],
          thresholdLines: true,
        }),
        12,
        8,
      )
      .add(
        timeseries(ds, {
          title: `Error budget burndown (${b.slo.window})`,
          description: "Budget remaining over the whole SLO period (panel time range is fixed to the period).",
          targets: [promTarget(ds, "A", `slo:error_budget_remaining:ratio{${sel}}`, { legend: "budget remaining" })],
          unit: "percentunit",
          thresholds: [["red", null], ["transparent", 0]],
          thresholdLines: true,
          timeFrom: period,
          interval: "10m",
        }),
        12,
        8,
      )
      .add(
        timeseries(ds, {
          title: "Events per second (5m)",
          targets: [
            promTarget(ds, "A", `sum(slo:sli_total:rate5m{${sel}})`, { legend: "total" }),
            promTarget(ds, "B", `sum(slo:sli_error:rate5m{${sel}})`, { legend: "bad" }),
          ],
          unit: "reqps",
        }),
        12,
        8,
      );
  }

  return dashboardShell({
    uid: dashboardUid("slo-svc-", service),
    title: `SLOs: ${service}`,
    description: `SLOs of service ${service}${team ? ` (team ${team})` : ""}: SLI, burn rate per window and error budget burndown.`,
    tags: ["slo", `service:${service}`, ...(team ? [`team:${team}`] : [])],
    panels: grid.panels(),
    variables: [],
    annotations: [
      alertsAnnotation(
        ds,
        "SLO burn alerts",
        `ALERTS{alertname="SLOErrorBudgetBurn",alertstate="firing",service=${svc}}`,
        "{{slo}}: {{severity}} {{burn_tier}} burn ({{long_window}}/{{short_window}})",
        "slo,severity,burn_tier",
      ),
    ],
    opts,
    defaultFrom: "now-24h",
  });
}
