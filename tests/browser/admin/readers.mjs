// The web admin's card readers (web-admin/admin/readers.js) in the browser: the reader service and its
// readers, or that they are off; the staff page named.

import {
  check, shotBoth,
} from '../browser_kit.mjs';
import {
  independentStep, openView, text,
} from './fixture.mjs';

export async function readers(fx) {
  const { page } = fx;
  await independentStep(page, 'card readers: the service and readers, or that they are off', async () => {
    await openView(page, 'readers');
    await page.waitForFunction(() => !document.getElementById('readers-service').hidden || !document.getElementById('readers-off').hidden);
    check((await text(page, '#view-readers')).includes('/staff'), 'the staff page is not mentioned');
    await shotBoth(page, '17-readers');
  });
}
