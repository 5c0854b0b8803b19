// Server-sent events over fetch: EventSource cannot send an Authorization header.
function parseBlock(block) {
    let event = "message";
    let id = null;
    const data = [];
    for (const line of block.split("\n")) {
        if (!line || line.startsWith(":"))
            continue; // comments: the server's keep-alive pings
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event")
            event = value;
        else if (field === "data")
            data.push(value);
        else if (field === "id")
            id = value;
    }
    if (data.length === 0)
        return null;
    const text = data.join("\n");
    try {
        return { event, id, data: JSON.parse(text) };
    }
    catch {
        return { event, id, data: text };
    }
}
/** A promise that rejects with the signal's reason once it aborts (never, without a signal). */
function abortion(signal) {
    let dispose = () => undefined;
    const promise = new Promise((_, reject) => {
        if (!signal)
            return;
        const onAbort = () => reject(signal.reason);
        if (signal.aborted)
            return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        dispose = () => signal.removeEventListener("abort", onAbort);
    });
    promise.catch(() => undefined); // observed by the race below; never unhandled
    return { promise, dispose };
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
export async function* readEvents(body, signal) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const aborted = abortion(signal);
    let buffer = "";
    let carry = ""; // a "\r" at a chunk's end may be half of "\r\n"
    let finished = false;
    try {
        for (;;) {
            signal?.throwIfAborted();
            const { value, done } = await Promise.race([reader.read(), aborted.promise]);
            if (done) {
                finished = true;
                break;
            }
            let text = carry + decoder.decode(value, { stream: true });
            carry = text.endsWith("\r") ? "\r" : "";
            if (carry)
                text = text.slice(0, -1);
            buffer += text.replace(/\r\n?/g, "\n");
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
                const message = parseBlock(buffer.slice(0, end));
                buffer = buffer.slice(end + 2);
                signal?.throwIfAborted();
                if (message)
                    yield message;
            }
        }
        const last = parseBlock(buffer + (carry ? "\n" : ""));
        if (last)
            yield last;
    }
    finally {
        aborted.dispose();
        if (!finished)
            await reader.cancel().catch(() => undefined);
        reader.releaseLock();
    }
}
