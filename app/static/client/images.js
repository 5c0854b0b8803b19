// Images as Blob (everywhere) and ImageBitmap (where the platform has createImageBitmap).
import { base64Bytes, bytesBase64 } from "./arrays.js";
/** A base64 PNG (the `png` answer format) as a Blob of type image/png. */
export function pngBlob(base64) {
    return new Blob([base64Bytes(base64)], { type: "image/png" });
}
/** An image as base64, for the `images` field of a request. */
export async function blobBase64(blob) {
    return bytesBase64(new Uint8Array(await blob.arrayBuffer()));
}
/** Whether this platform can decode images to ImageBitmap (browsers and workers; not Node). */
export function canMakeImageBitmap() {
    return typeof globalThis.createImageBitmap === "function";
}
/** A Blob decoded to an ImageBitmap, ready for `drawImage`; throws where the platform has none. */
export async function toImageBitmap(blob) {
    if (!canMakeImageBitmap()) {
        throw new TypeError("createImageBitmap is not available here; use the Blob");
    }
    return globalThis.createImageBitmap(blob);
}
