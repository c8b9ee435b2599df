// "Now" for the whole UI. Every page and composable reads the time through `clock.now()`, so a
// test stubs one function (vi.spyOn(clock, 'now')) to put the UI on any day, and the scenario
// test `architecture::one_clock` fails on any other `new Date()` or `Date.now()` in ui/src.
// The backend reads the same system clock (xianglin_schema::clock).

export const clock = {
  /** The local time now. */
  now: (): Date => new Date(),
}
