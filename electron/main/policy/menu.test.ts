import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { appMenuTemplate } from './menu.ts';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

describe('appMenuTemplate', () => {
  for (const platform of ['darwin', 'win32', 'linux'] as const) {
    it(`has one About item that opens the About dialog (${platform})`, () => {
      const onAbout = vi.fn();
      const items = flatten(appMenuTemplate({ platform, productName: 'Recon Workstation', isPackaged: true, onAbout }));
      const about = items.filter((i) => i.label === 'About Recon Workstation');
      expect(about).toHaveLength(1);
      (about[0]!.click as () => void)();
      expect(onAbout).toHaveBeenCalledOnce();
    });
  }

  it('keeps the Edit roles the clipboard shortcuts need', () => {
    const roles = flatten(appMenuTemplate({ platform: 'darwin', productName: 'R', isPackaged: true, onAbout: () => {} })).map((i) => i.role);
    expect(roles).toEqual(expect.arrayContaining(['copy', 'paste', 'cut', 'selectAll', 'undo', 'redo']));
  });

  it('offers developer tools and reload in development only', () => {
    const roles = (isPackaged: boolean): unknown[] =>
      flatten(appMenuTemplate({ platform: 'linux', productName: 'R', isPackaged, onAbout: () => {} })).map((i) => i.role);
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(true)).not.toContain('reload');
    expect(roles(false)).toContain('toggleDevTools');
  });

  it('drops Electron’s default Help links', () => {
    const items = flatten(appMenuTemplate({ platform: 'win32', productName: 'R', isPackaged: true, onAbout: () => {} }));
    expect(items.some((i) => i.role === 'help' || /Learn More|Documentation|Community/.test(i.label ?? ''))).toBe(false);
  });
});
