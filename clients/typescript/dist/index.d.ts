export { GenserveClient, isFinished, type ComponentsOptions, type ComponentsResponse, type DatasetSummary, type DensityGridResponse, type ClassifyOptions, type ClassifyResponse, type DensityOptions, type EncodeResponse, type Example, type GenserveOptions, type Inputs, type InterpolateOptions, type Interpolation, type JobDetail, type JobEvent, type JobList, type JobProgress, type JobRequest, type JobsOptions, type JobStatus, type JobSummary, type LogLikelihoodOptions, type LogLikelihoodResponse, type ModelDetail, type ModelSummary, type PackedFormat, type ReadyResponse, type Reconstructions, type ReferenceOptions, type ReferenceResponse, type SampleOptions, type Samples, type Which, } from "./client.js";
export { GenserveError, type ErrorDetail } from "./errors.js";
export { base64Bytes, bytesBase64, fromBase64Float32, fromBase64Uint8, fromNested, fromNpy, shapeOf, toNested, toRows, type Nested, type Tensor, } from "./arrays.js";
export { readEvents, type ServerEvent } from "./events.js";
export { blobBase64, canMakeImageBitmap, pngBlob, toImageBitmap } from "./images.js";
export type { components, operations, paths } from "./generated/schema.js";
