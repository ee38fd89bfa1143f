import { z } from 'zod';
import { ValidationError, command, defineCommand, defineEvent, defineModule, defineProcess, handleCommand, react } from '../../src/kernel/host.js';

/**
 * Two modules for process-manager tests: `ledger` holds and releases amounts on command and
 * answers with public events; `trips` books trips whose legs each need a hold (a saga).
 */
export const Hold = defineCommand('ledger.Hold', z.object({ holdId: z.string(), amount: z.number().int() }));
export const Release = defineCommand('ledger.Release', z.object({ holdId: z.string() }));
export const Held = defineEvent('ledger.Held', 1, z.object({ holdId: z.string(), amount: z.number().int() }));
export const HoldRefused = defineEvent('ledger.HoldRefused', 1, z.object({ holdId: z.string() }));
export const Released = defineEvent('ledger.Released', 1, z.object({ holdId: z.string() }));

/** Knobs for the tests: transient failures, refusals and a crash switch. */
export const ledgerFaults = { transientFailures: 0, refuse: false, holdCalls: 0, releaseCalls: 0, crashOnRelease: 0 };

export const ledger = defineModule({
  name: 'ledger',
  publicEvents: [Held, HoldRefused, Released],
  streams: ['hold'],
  commands: [
    handleCommand(Hold, async (ctx, data) => {
      ledgerFaults.holdCalls++;
      if (ledgerFaults.transientFailures > 0) {
        ledgerFaults.transientFailures--;
        throw new Error('ledger is briefly unavailable');
      }
      if (ledgerFaults.refuse) throw new ValidationError('ledger refuses this hold');
      const event = data.amount > 100 ? { type: HoldRefused.type, data: { holdId: data.holdId } } : { type: Held.type, data };
      await ctx.events.append(ctx.events.stream('hold', data.holdId), [event]);
    }),
    handleCommand(Release, async (ctx, data) => {
      ledgerFaults.releaseCalls++;
      // From the n-th release on, every release fails until the switch is turned off (a process dying there, again and again).
      if (ledgerFaults.crashOnRelease > 0 && ledgerFaults.releaseCalls >= ledgerFaults.crashOnRelease) throw new Error('crash during compensation');
      await ctx.events.append(ctx.events.stream('hold', data.holdId), [{ type: Released.type, data }]);
    }),
  ],
});

export const TripBooked = defineEvent('trips.TripBooked', 1, z.object({ tripId: z.string(), legs: z.array(z.number().int()), expireInMs: z.number().int().optional() }));
export const TripCancelled = defineEvent('trips.TripCancelled', 1, z.object({ tripId: z.string() }));

interface Trip {
  tripId: string;
  legs: number[];
  held: number;
}

const holdId = (tripId: string, leg: number) => `${tripId}/leg-${leg}`;

export const tripProcess = defineProcess<Trip>({
  name: 'trip',
  initialState: (tripId) => ({ tripId, legs: [], held: 0 }),
  sends: [Hold, Release],
  reactions: [
    react(TripBooked, {
      start: (e) => e.data.tripId,
      decide: (state, e) => ({
        state: { ...state, legs: e.data.legs },
        step: 'holding leg 0',
        send: e.data.legs.length ? [command(Hold, { holdId: holdId(state.tripId, 0), amount: e.data.legs[0]! })] : [],
        schedule: e.data.expireInMs !== undefined ? [{ name: 'expire', afterMs: e.data.expireInMs }] : [],
      }),
    }),
    react(Held, {
      id: (e) => e.data.holdId.split('/')[0]!,
      decide: (state, e) => {
        const held = state.held + 1;
        const remember = { step: `leg ${held - 1}`, undo: command(Release, { holdId: e.data.holdId }) };
        if (held === state.legs.length) return { state: { ...state, held }, remember, step: 'booked' };
        return { state: { ...state, held }, remember, step: `holding leg ${held}`, send: [command(Hold, { holdId: holdId(state.tripId, held), amount: state.legs[held]! })] };
      },
    }),
    react(HoldRefused, { id: (e) => e.data.holdId.split('/')[0]!, decide: () => ({ step: 'a hold was refused', compensate: true }) }),
    react(TripCancelled, { id: (e) => e.data.tripId, decide: () => ({ step: 'cancelling', compensate: true }) }),
  ],
  onTimer: { decide: (_state, name) => ({ step: `timer ${name} fired`, end: 'failed' }) },
  onCommandFailed: (_state, failure) => ({ step: `gave up: ${failure.error}`, compensate: true }),
  onCompensated: () => ({ step: 'compensated', end: 'compensated' }),
});

export const trips = defineModule({
  name: 'trips',
  privateEvents: [TripBooked, TripCancelled],
  streams: ['trip'],
  processes: [tripProcess],
});

export const processModules = [ledger, trips];
