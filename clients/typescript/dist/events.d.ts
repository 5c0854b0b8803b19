/** One event of a stream: its name, its data (parsed as JSON when it is JSON) and its id. */
export interface ServerEvent {
    event: string;
    data: unknown;
    id: string | null;
}
/**
 * The events of an `text/event-stream` body, in order, until the server ends the stream.
 * Stopping early (`break`, or the request's AbortSignal) releases the connection; an abort
 * rejects with the signal's reason, as fetch does.
 */
export declare function readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent>;
