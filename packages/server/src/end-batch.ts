import type { ServerResponse } from 'node:http';

/** Hears how a queued answer ended: null once `end()` handed it to the socket, else what `end()` threw. */
export type AnswerEnded = (error: Error | null) => void;

/**
 * Ends responses together: each queued response is ended once the event loop has run the I/O callbacks
 * of its current turn (in `setImmediate`'s phase), rather than the moment its store read settles.
 *
 * Why: every answer written to a socket whose peer is asleep wakes that peer, and on a virtual machine a
 * wake-up (an inter-processor interrupt) costs the writer more than the answer itself. Requests that
 * arrive together on several connections (a gateway's pool, a load generator's) are read in one turn;
 * answered one by one, between the reads of the next, each answer wakes the peer again. Ended back to
 * back, the peer wakes once and finds them all (docs/performance.md, round six). No timer: an answer
 * waits for the check phase after the turn that produced it, or, queued during that phase (by a flush,
 * or a store callback run from `setImmediate`), for the next turn's.
 *
 * The caller sets the status and headers first (`writeHead` checks them, and may throw, at once; it
 * only stores the head, which `end()` writes). `ended` runs after each `end()`, so what the caller
 * records about the answer (its latency, its log line) includes the wait.
 *
 * `schedule` runs the flush (tests run it by hand).
 *
 * @throws nothing itself; an error thrown by an `ended` callback is rethrown from the flush once every
 * queued answer of the batch has been ended (as a throw from any I/O callback would be).
 */
export function createEndBatch(schedule: (flush: () => void) => unknown = setImmediate): (res: ServerResponse, ended: AnswerEnded) => void {
  let responses: ServerResponse[] = [];
  let callbacks: AnswerEnded[] = [];
  const flush = (): void => {
    const ending = responses;
    const ended = callbacks;
    responses = [];
    callbacks = [];
    let thrown: unknown[] | null = null;
    for (let i = 0; i < ending.length; i += 1) {
      const res = ending[i]!;
      let failure: Error | null = null;
      try {
        // A response whose socket closed meanwhile ends as a no-op; a throw here comes from whatever wraps
        // `end()` (an instrumentation agent), and must not keep the rest of the batch from their answers.
        res.end();
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        res.destroy();
      }
      try {
        ended[i]!(failure);
      } catch (error) {
        (thrown ??= []).push(error);
      }
    }
    if (thrown !== null) throw thrown[0];
  };
  return (res, ended) => {
    if (responses.length === 0) schedule(flush);
    responses.push(res);
    callbacks.push(ended);
  };
}
