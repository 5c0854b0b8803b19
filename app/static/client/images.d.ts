/** A base64 PNG (the `png` answer format) as a Blob of type image/png. */
export declare function pngBlob(base64: string): Blob;
/** An image as base64, for the `images` field of a request. */
export declare function blobBase64(blob: Blob): Promise<string>;
/** Whether this platform can decode images to ImageBitmap (browsers and workers; not Node). */
export declare function canMakeImageBitmap(): boolean;
/** A Blob decoded to an ImageBitmap, ready for `drawImage`; throws where the platform has none. */
export declare function toImageBitmap(blob: Blob): Promise<ImageBitmap>;
