import { z } from 'zod';

const isoDateTime = () => z.iso.datetime({ offset: true, local: true });

const relaxKnownInAdvanceFeaturesCheck = () =>
  z.boolean().optional().describe('Allow missing known-in-advance values in the forecast window.');

/** Predict forward from one forecast point (default: the latest the data allows). */
const ForecastSettings = z.strictObject({
  type: z.literal('forecast'),
  forecastPoint: isoDateTime().optional(),
  relaxKnownInAdvanceFeaturesCheck: relaxKnownInAdvanceFeaturesCheck(),
});

/** Predict over a past date range (default: all of the data). */
const HistoricalSettings = z.strictObject({
  type: z.literal('historical'),
  predictionsStartDate: isoDateTime().optional(),
  predictionsEndDate: isoDateTime().optional(),
  relaxKnownInAdvanceFeaturesCheck: relaxKnownInAdvanceFeaturesCheck(),
});

/** [3.x client] Predict on the project's training data. */
const TrainingSettings = z.strictObject({
  type: z.literal('training'),
  relaxKnownInAdvanceFeaturesCheck: relaxKnownInAdvanceFeaturesCheck(),
});

/** Time-series scoring mode (`timeseriesSettings`). */
export const TimeseriesSettingsSchema = z.discriminatedUnion('type', [
  ForecastSettings,
  HistoricalSettings,
  TrainingSettings,
]);

export type TimeseriesSettings = z.output<typeof TimeseriesSettingsSchema>;
