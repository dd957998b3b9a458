// Which picture a file holds, from its first bytes (as the server's
// img_sniff does): a file that is none of the four gets an explanation
// instead of an empty crop dialog.

export type ImageType = 'PNG' | 'JPEG' | 'GIF' | 'WEBP';

export function sniffImage(head: Uint8Array): ImageType | null {
  const at = (i: number, bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (at(0, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (at(0, [0x47, 0x49, 0x46, 0x38])) return 'GIF';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'WEBP';
  return null;
}

/** The picture type of a chosen file, or null when it is not one. */
export async function fileImageType(file: Blob): Promise<ImageType | null> {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  return sniffImage(head);
}

export const NOT_AN_IMAGE = 'This file is not a picture: choose a PNG, JPEG, GIF or WebP image.';
