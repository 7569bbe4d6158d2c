const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

// Go's fmt "%.{precision}g": shortest form, no trailing zeros, two-digit exponent.
export function goFormatG(value: number, precision: number): string {
  const scientific = value.toExponential(precision - 1);
  const exponent = Number(scientific.split('e')[1]);
  const stripZeros = (digits: string): string => (digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits);
  // Go switches to an exponent when it is below -4 or at least the precision.
  if (value !== 0 && (exponent < -4 || exponent >= precision)) {
    const [mantissa = ''] = scientific.split('e');
    const sign = exponent < 0 ? '-' : '+';
    return `${stripZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripZeros(value.toFixed(Math.max(0, precision - 1 - exponent)));
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
