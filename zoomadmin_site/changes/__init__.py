"""The change machinery, built once for every flow that changes Zoom (role changes, host transfers).

- `plans`: a preflight's result, the `Plan`: current and intended state, checks (pass, warn or fail, each
  with a reason and a remedy in plain words) and the exact Zoom calls that execution will make.
- `models`: `ChangeRequest` with guarded status transitions (each one a conditional UPDATE, so double
  clicks, retries and racing approvers move a request once) and the managers' `Approval` decisions.
- `executor`: the one executor: started event committed, Zoom called with its calls recorded, Zoom read
  back, the mirror written through its one writer, the final event recorded. A write that timed out or
  failed with a 5xx is resolved by reading Zoom, never by a blind retry; a crash in between leaves an
  `executing` request and a started event that `reconcile` resolves.
- `services`: request, approve, reject, cancel, expire, execute, revert and reconcile, for any flow.

A flow (`flows.Flow`) says what its preflight reads and checks, which Zoom calls execute it and how
to read it back. Flows register themselves from their app's `ready()`: this package imports no flow.
"""
