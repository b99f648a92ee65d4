import type { ServerResponse } from 'node:http';

/**
 * Ends responses together: each queued response is ended once the event loop has run the I/O callbacks
 * of its current turn (in `setImmediate`'s phase), rather than the moment its store read settles.
 *
 * Why: every answer written to a socket whose peer is asleep wakes that peer, and on a virtual machine a
 * wake-up (an inter-processor interrupt) costs the writer more than the answer itself. Requests that
 * arrive together on several connections (a gateway's pool, a load generator's) are read in one turn;
 * answered one by one, between the reads of the next, each answer wakes the peer again. Ended back to
 * back, the peer wakes once and finds them all. The wait is bounded by the turn itself: no timer, no
 * answer held past the check phase that follows the reads that produced it (docs/performance.md).
 *
 * Only `end()` waits: the status and headers are set (and checked, which may throw) by the caller first.
 */
export function createEndBatch(): (res: ServerResponse) => void {
  let queued: ServerResponse[] = [];
  const flush = (): void => {
    const ending = queued;
    queued = [];
    // end() cannot throw here: the head was written by the caller, and a response whose socket closed
    // meanwhile is ended as a no-op.
    for (const res of ending) res.end();
  };
  return (res) => {
    if (queued.length === 0) setImmediate(flush);
    queued.push(res);
  };
}
