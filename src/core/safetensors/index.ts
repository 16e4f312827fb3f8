export { decodeSafetensors, encodeSafetensors, toFloat32, halfToFloat, SafetensorsError } from './format';
export type { SafetensorsDtype, RawTensor, SafetensorsContents, F32Tensor } from './format';
export { readSafetensorsHeader } from './header';
export type { SafetensorsHeader, TensorHeader } from './header';
