import { z } from "zod";

export const labelsSchema = z.record(z.string(), z.string());
export type Labels = z.infer<typeof labelsSchema>;

/** `[unixSeconds, "value"]` as Prometheus returns it. Use parseSampleValue() for the number. */
export const samplePairSchema = z.tuple([z.number(), z.string()]);
export type SamplePair = z.infer<typeof samplePairSchema>;

export const envelopeErrorSchema = z.object({
  status: z.literal("error"),
  errorType: z.string(),
  error: z.string(),
  data: z.unknown().optional(),
  warnings: z.array(z.string()).optional(),
});

export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion("status", [
    z.object({
      status: z.literal("success"),
      data,
      warnings: z.array(z.string()).optional(),
      infos: z.array(z.string()).optional(),
    }),
    envelopeErrorSchema,
  ]);
}

const histogramSchema = z.tuple([z.number(), z.looseObject({})]);

export const vectorSampleSchema = z.looseObject({
  metric: labelsSchema,
  value: samplePairSchema.optional(),
  histogram: histogramSchema.optional(),
});
export const matrixSeriesSchema = z.looseObject({
  metric: labelsSchema,
  values: z.array(samplePairSchema).optional(),
  histograms: z.array(histogramSchema).optional(),
});

export const queryDataSchema = z.discriminatedUnion("resultType", [
  z.object({ resultType: z.literal("vector"), result: z.array(vectorSampleSchema) }),
  z.object({ resultType: z.literal("matrix"), result: z.array(matrixSeriesSchema) }),
  z.object({ resultType: z.literal("scalar"), result: samplePairSchema }),
  z.object({ resultType: z.literal("string"), result: samplePairSchema }),
]);
export type QueryData = z.infer<typeof queryDataSchema>;

export const matrixDataSchema = z.object({ resultType: z.literal("matrix"), result: z.array(matrixSeriesSchema) });
export type MatrixData = z.infer<typeof matrixDataSchema>;

const ruleCommon = {
  name: z.string(),
  query: z.string(),
  labels: labelsSchema.nullish(),
  health: z.string(),
  lastError: z.string().optional(),
  evaluationTime: z.number().optional(),
  lastEvaluation: z.string().optional(),
};

export const activeAlertSchema = z.looseObject({
  labels: labelsSchema,
  annotations: labelsSchema.nullish(),
  state: z.string(),
  activeAt: z.string().nullish(),
  value: z.string(),
});
export type PrometheusAlert = z.infer<typeof activeAlertSchema>;

export const recordingRuleSchema = z.looseObject({ ...ruleCommon, type: z.literal("recording") });
export const alertingRuleSchema = z.looseObject({
  ...ruleCommon,
  type: z.literal("alerting"),
  state: z.string(),
  duration: z.number(),
  annotations: labelsSchema.nullish(),
  alerts: z.array(activeAlertSchema).nullish(),
});
export const ruleSchema = z.discriminatedUnion("type", [recordingRuleSchema, alertingRuleSchema]);
export type PrometheusRule = z.infer<typeof ruleSchema>;

export const ruleGroupSchema = z.looseObject({
  name: z.string(),
  file: z.string(),
  interval: z.number(),
  limit: z.number().optional(),
  rules: z.array(ruleSchema),
  evaluationTime: z.number().optional(),
  lastEvaluation: z.string().optional(),
});
export type RuleGroup = z.infer<typeof ruleGroupSchema>;

export const rulesDataSchema = z.object({ groups: z.array(ruleGroupSchema), groupNextToken: z.string().optional() });
export const alertsDataSchema = z.object({ alerts: z.array(activeAlertSchema) });

export const buildInfoSchema = z.looseObject({
  version: z.string(),
  revision: z.string(),
  branch: z.string(),
  buildUser: z.string(),
  buildDate: z.string(),
  goVersion: z.string(),
});
export type BuildInfo = z.infer<typeof buildInfoSchema>;

export const runtimeInfoSchema = z.looseObject({
  startTime: z.string(),
  CWD: z.string().optional(),
  reloadConfigSuccess: z.boolean(),
  lastConfigTime: z.string(),
  corruptionCount: z.number().optional(),
  goroutineCount: z.number().optional(),
  GOMAXPROCS: z.number().optional(),
  GOGC: z.string().optional(),
  GODEBUG: z.string().optional(),
  storageRetention: z.string().optional(),
});
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;
