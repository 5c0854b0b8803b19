// genserve-client: typed access to a genserve server from browsers and Node.
export { GenserveClient, isFinished, } from "./client.js";
export { GenserveError } from "./errors.js";
export { base64Bytes, bytesBase64, fromBase64Float32, fromBase64Uint8, fromNested, fromNpy, shapeOf, toNested, toRows, } from "./arrays.js";
export { readEvents } from "./events.js";
export { blobBase64, canMakeImageBitmap, pngBlob, toImageBitmap } from "./images.js";
