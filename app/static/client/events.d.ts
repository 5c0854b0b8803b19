/** One event of a stream: its name, its data (parsed as JSON when it is JSON) and its id. */
export interface ServerEvent {
    event: string;
    data: unknown;
    id: string | null;
}
/**
 * The events of a `text/event-stream` body, in order, until the server ends the stream.
 *
 * When `signal` aborts, the pending step rejects with its reason, no further event is yielded
 * and the body is cancelled, which closes the connection. The signal is watched here rather
 * than left to fetch: Node's fetch can lose a `Request`'s link to the caller's signal once the
 * request object is collected, and the stream would go on.
 * Stopping early with `break` cancels the body too.
 */
export declare function readEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<ServerEvent>;
