/** A row-major array of numbers and its shape: `data.length` is the product of `shape`. */
export interface Tensor<A extends Float32Array | Float64Array | Uint8Array = Float32Array> {
    readonly data: A;
    readonly shape: readonly number[];
}
/** Nested arrays of numbers, as JSON answers and `inputs` carry them. */
export type Nested = number | readonly Nested[];
/** The shape of nested arrays, checked to be rectangular. */
export declare function shapeOf(value: Nested): number[];
/** Nested arrays (the `array` answer format) as a Float32Array with the given or found shape. */
export declare function fromNested(value: Nested, shape?: readonly number[]): Tensor<Float32Array>;
export declare function fromNested<A extends Float32Array | Float64Array>(value: Nested, shape: readonly number[] | undefined, type: {
    new (values: ArrayLike<number>): A;
}): Tensor<A>;
/** A tensor as nested arrays, `[shape[0]][shape[1]]...`. */
export declare function toNested(tensor: Tensor<Float32Array | Float64Array | Uint8Array>): Nested;
/** Rows `[B, D]` for `inputs`: each example flattened, as the API accepts. */
export declare function toRows(tensor: Tensor<Float32Array | Float64Array | Uint8Array>): number[][];
/** Bytes from standard base64 (`atob` is in browsers and Node 16+). */
export declare function base64Bytes(text: string): Uint8Array<ArrayBuffer>;
/** Standard base64 of bytes, in chunks so long inputs stay within argument limits. */
export declare function bytesBase64(bytes: Uint8Array): string;
/** The `base64` format: float32 little-endian bytes, row-major, in `shape`. */
export declare function fromBase64Float32(text: string, shape: readonly number[]): Tensor<Float32Array>;
/** The `uint8` format: the value range mapped to 0-255, one byte per value, in `shape`. */
export declare function fromBase64Uint8(text: string, shape: readonly number[]): Tensor<Uint8Array>;
/**
 * A `.npy` body (format version 1-3, little-endian float32/float64/uint8, C order) as a tensor.
 * float64 is narrowed to Float32Array, the precision the server computes in.
 */
export declare function fromNpy(buffer: ArrayBuffer | Uint8Array): Tensor<Float32Array | Uint8Array>;
