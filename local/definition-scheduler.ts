/**
 * The embedded stack's stand-in for EventBridge Scheduler: the same entries (one per `cron(...)` expression of a
 * definition, from toSchedulerExpressions), kept in a JSON file in the data dir so they survive restarts, and
 * fired by croner timers (UTC) into the same run-scheduled-definition handler Lambda runs. Firing the very
 * expressions the AWS adapter schedules means local runs happen exactly when deployed ones would.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Cron } from 'croner';
import type { DefinitionScheduler } from '../shared/ports/definition-scheduler.js';
import type { ScheduledRun } from '../shared/use-cases/job-definitions/run-definition.js';

/** What one firing hands to the run handler. */
export type FireScheduledRun = (run: ScheduledRun) => Promise<void>;

type Entries = Record<string, string[]>;

export class LocalDefinitionScheduler implements DefinitionScheduler {
  private entries: Entries;
  private readonly timers = new Map<string, Cron[]>();
  private fire: FireScheduledRun | null = null;

  /** `file` holds the entries; nothing fires until {@link start}. */
  constructor(private readonly file: string) {
    this.entries = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Entries) : {};
  }

  /** Arms every stored entry, firing into `fire`; a failed run is reported to `onError` and not retried. */
  start(fire: FireScheduledRun, onError: (error: unknown) => void): void {
    this.fire = (run) => fire(run).catch(onError);
    for (const id of Object.keys(this.entries)) this.arm(id);
  }

  /** Stops every timer (the entries stay stored). */
  stop(): void {
    for (const id of [...this.timers.keys()]) this.disarm(id);
    this.fire = null;
  }

  async upsert(definitionId: string, expressions: readonly string[]): Promise<void> {
    const crons = expressions.map(toCronerPattern);
    this.entries = { ...this.entries, [definitionId]: [...new Set(expressions)].sort() };
    this.save();
    this.disarm(definitionId);
    if (this.fire) this.arm(definitionId, crons);
  }

  async remove(definitionId: string): Promise<void> {
    if (!(definitionId in this.entries)) return;
    const { [definitionId]: _removed, ...rest } = this.entries;
    this.entries = rest;
    this.save();
    this.disarm(definitionId);
  }

  async list(definitionId: string): Promise<string[]> {
    return [...(this.entries[definitionId] ?? [])];
  }

  /**
   * Fires, in time order, every run due after `from` up to and including `to`, as the timers would have: the
   * controllable clock of tests, which cannot wait for real minutes. Resolves when those runs are done.
   */
  async runDue(from: Date, to: Date): Promise<number> {
    const due: ScheduledRun[] = [];
    for (const [definitionId, expressions] of Object.entries(this.entries)) {
      for (const expression of expressions) {
        const cron = new Cron(toCronerPattern(expression), { timezone: 'UTC', paused: true });
        for (let at = cron.nextRun(from); at !== null && at <= to; at = cron.nextRun(at)) {
          due.push({ definitionId, scheduledTime: at.toISOString(), expression });
        }
      }
    }
    due.sort((a, b) => a.scheduledTime.localeCompare(b.scheduledTime));
    for (const run of due) await this.fire?.(run);
    return due.length;
  }

  private arm(definitionId: string, crons = (this.entries[definitionId] ?? []).map(toCronerPattern)): void {
    const expressions = this.entries[definitionId] ?? [];
    const timers = crons.map(
      (pattern, i) =>
        new Cron(pattern, { timezone: 'UTC' }, (self: Cron) => {
          const at = self.currentRun() ?? new Date();
          void this.fire?.({ definitionId, scheduledTime: at.toISOString(), expression: expressions[i] });
        }),
    );
    this.timers.set(definitionId, timers);
  }

  private disarm(definitionId: string): void {
    for (const timer of this.timers.get(definitionId) ?? []) timer.stop();
    this.timers.delete(definitionId);
  }

  /** Written whole and renamed into place, so a crash never leaves half a file. */
  private save(): void {
    const temporary = `${this.file}.partial`;
    writeFileSync(temporary, JSON.stringify(this.entries, null, 2));
    renameSync(temporary, this.file);
  }
}

const CRON = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/;

/**
 * An EventBridge Scheduler expression `cron(min hour day-of-month month day-of-week year)` as a croner pattern
 * (seconds first). EventBridge numbers weekdays 1-7 from Sunday, croner 0-6; its `?` ("no value") is croner's
 * `*`, which with one of the two day fields unrestricted gives the same days. Throws for a year restriction,
 * which nothing here produces.
 */
export function toCronerPattern(expression: string): string {
  const match = CRON.exec(expression);
  if (!match) throw new Error(`Not an EventBridge cron expression: ${expression}`);
  const [, minute, hour, dayOfMonth, month, dayOfWeek, year] = match as unknown as string[];
  if (year !== '*') throw new Error(`Year restrictions are not supported: ${expression}`);
  const any = (field: string) => (field === '?' ? '*' : field);
  return ['0', minute, hour, any(dayOfMonth as string), month, shiftWeekdays(any(dayOfWeek as string))].join(
    ' ',
  );
}

/** EventBridge weekday numbers (1 = Sunday) as croner's (0 = Sunday); steps after `/` and `#` are counts. */
function shiftWeekdays(field: string): string {
  return field
    .split(',')
    .map((part) => {
      const [base = '', ...rest] = part.split(/(?=[/#])/);
      return base.replace(/\d+/g, (n) => String(Number(n) - 1)) + rest.join('');
    })
    .join(',');
}
