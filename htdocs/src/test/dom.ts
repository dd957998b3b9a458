// A fresh React root in a fresh <div> for each test of a jsdom test file,
// unmounted and removed after it.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach } from 'vitest';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Dom {
  container: HTMLDivElement;
  root: Root;
}

/** Registers the hooks; the fields are set while a test runs. */
export function withDom(): Dom {
  const dom = {} as Dom;
  beforeEach(() => {
    dom.container = document.createElement('div');
    document.body.appendChild(dom.container);
    dom.root = createRoot(dom.container);
  });
  afterEach(() => {
    act(() => dom.root.unmount());
    dom.container.remove();
  });
  return dom;
}
