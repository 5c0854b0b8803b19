// Answers as typed arrays with a shape: from nested JSON arrays, base64 bytes and .npy bodies.
function size(shape) {
    return shape.reduce((a, b) => a * b, 1);
}
function checked(data, shape) {
    if (data.length !== size(shape)) {
        throw new RangeError(`${data.length} values do not fill the shape [${shape.join(", ")}]`);
    }
    return { data, shape: [...shape] };
}
/** The shape of nested arrays, checked to be rectangular. */
export function shapeOf(value) {
    const shape = [];
    let level = value;
    while (Array.isArray(level)) {
        shape.push(level.length);
        if (level.length === 0)
            break;
        level = level[0];
    }
    return shape;
}
function flattenInto(value, out, shape, depth) {
    if (depth === shape.length) {
        if (typeof value !== "number")
            throw new TypeError("nested arrays are not rectangular");
        out.push(value);
        return;
    }
    if (!Array.isArray(value) || value.length !== shape[depth]) {
        throw new TypeError("nested arrays are not rectangular");
    }
    for (const item of value)
        flattenInto(item, out, shape, depth + 1);
}
export function fromNested(value, shape, type = Float32Array) {
    const found = shapeOf(value);
    const values = [];
    flattenInto(value, values, found, 0);
    return checked(new type(values), shape ?? found);
}
/** A tensor as nested arrays, `[shape[0]][shape[1]]...`. */
export function toNested(tensor) {
    const { data, shape } = tensor;
    if (shape.length === 0)
        return data[0] ?? 0;
    const build = (offset, depth) => {
        const dim = shape[depth] ?? 0;
        if (depth === shape.length - 1)
            return Array.from(data.subarray(offset, offset + dim));
        const stride = size(shape.slice(depth + 1));
        return Array.from({ length: dim }, (_, i) => build(offset + i * stride, depth + 1));
    };
    return build(0, 0);
}
/** Rows `[B, D]` for `inputs`: each example flattened, as the API accepts. */
export function toRows(tensor) {
    const rows = tensor.shape[0] ?? 1;
    const width = tensor.shape.length > 1 ? size(tensor.shape.slice(1)) : tensor.data.length;
    if (tensor.shape.length <= 1)
        return [Array.from(tensor.data)];
    return Array.from({ length: rows }, (_, i) => Array.from(tensor.data.subarray(i * width, (i + 1) * width)));
}
/** Bytes from standard base64 (`atob` is in browsers and Node 16+). */
export function base64Bytes(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++)
        bytes[i] = binary.charCodeAt(i);
    return bytes;
}
/** Standard base64 of bytes, in chunks so long inputs stay within argument limits. */
export function bytesBase64(bytes) {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
}
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function float32LE(bytes) {
    if (bytes.length % 4 !== 0)
        throw new RangeError(`${bytes.length} bytes are not float32 values`);
    const out = new Float32Array(bytes.length / 4);
    if (LITTLE_ENDIAN) {
        new Uint8Array(out.buffer).set(bytes); // a copy, so the result is aligned and owned
        return out;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++)
        out[i] = view.getFloat32(i * 4, true);
    return out;
}
/** The `base64` format: float32 little-endian bytes, row-major, in `shape`. */
export function fromBase64Float32(text, shape) {
    return checked(float32LE(base64Bytes(text)), shape);
}
/** The `uint8` format: the value range mapped to 0-255, one byte per value, in `shape`. */
export function fromBase64Uint8(text, shape) {
    return checked(base64Bytes(text), shape);
}
/**
 * A `.npy` body (format version 1-3, little-endian float32/float64/uint8, C order) as a tensor.
 * float64 is narrowed to Float32Array, the precision the server computes in.
 */
export function fromNpy(buffer) {
    const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    const magic = String.fromCharCode(...bytes.subarray(0, 6));
    if (magic !== "\x93NUMPY")
        throw new TypeError("not a .npy body");
    const major = bytes[6] ?? 0;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
    const start = major === 1 ? 10 : 12;
    const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLength));
    const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
    const fortran = /'fortran_order':\s*True/.test(header);
    const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
    if (descr === undefined || shapeText === undefined)
        throw new TypeError("bad .npy header");
    if (fortran)
        throw new TypeError("Fortran-ordered .npy bodies are not supported");
    const shape = shapeText
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
        .map(Number);
    const body = bytes.subarray(start + headerLength);
    if (descr === "<f4")
        return checked(float32LE(body), shape);
    if (descr === "|u1" || descr === "<u1")
        return checked(body.slice(), shape);
    if (descr === "<f8") {
        const n = body.length / 8;
        const out = new Float32Array(n);
        const data = new DataView(body.buffer, body.byteOffset, body.byteLength);
        for (let i = 0; i < n; i++)
            out[i] = data.getFloat64(i * 8, true);
        return checked(out, shape);
    }
    throw new TypeError(`.npy dtype ${descr} is not supported`);
}
