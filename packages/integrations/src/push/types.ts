export type PushStage = "validate" | "write" | "reload" | "verify";

export interface PushSuccess {
  ok: true;
  /** false when everything was already up to date (nothing written, no reload). */
  changed: boolean;
  /** Files written (basenames for rules, the config path for Alertmanager). */
  written: string[];
  /** Files deleted by pruning. */
  deleted: string[];
}

export interface PushFailure {
  ok: false;
  stage: PushStage;
  /** Human-readable reason (promtool/amtool output, upstream message). */
  error: string;
  /** Extra diagnostics, e.g. promtool output for the files on disk after a generic reload 500. */
  details?: string;
  /** True when the previous files were restored (always attempted after a write happened). */
  rolledBack: boolean;
  /** Set when restoring or re-reloading after the failure also failed. */
  rollbackError?: string;
  cause?: unknown;
}

export type PushResult = PushSuccess | PushFailure;

export type SyncState = "in_sync" | "drifted" | "unreachable";
