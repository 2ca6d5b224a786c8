/** The application menu (policy/menu.ts builds it). */
import { app, Menu } from 'electron';
import { appMenuTemplate } from './policy/menu.ts';

export function setupMenu(onAbout: () => void): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(appMenuTemplate({ platform: process.platform, productName: 'Recon Workstation', isPackaged: app.isPackaged, onAbout })),
  );
}
