const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

// Go's fmt "%.{precision}g": shortest form, no trailing zeros, two-digit exponent.
export function goFormatG(value: number, precision: number): string {
  const text = value.toPrecision(precision);
  const [mantissa = '', exponent] = text.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  if (exponent === undefined) return trimmed;
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${trimmed}e${sign}${digits}`;
}

// docker's go-units HumanSizeWithPrecision(size, 3): decimal units, as in `docker images`.
export function humanSize(bytes: number, precision = 3): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    unit += 1;
  }
  return `${goFormatG(size, precision)}${DECIMAL_UNITS[unit]}`;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

// docker's go-units BytesSize: binary units, as in `docker info`'s Total Memory.
export function bytesSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < BINARY_UNITS.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${goFormatG(size, 4)}${BINARY_UNITS[unit]}`;
}
