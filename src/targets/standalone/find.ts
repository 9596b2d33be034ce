import type { Handle } from '../target.js';
import type { Known } from './links.js';
import { driversOfApp, type MasterState, workerUiOf } from './master-json.js';
import { encodeHandleData, handleDataFor, type Settings } from './settings.js';

/**
 * handlesOfApp lists the drivers of an application in the master's state, active first, as handles (with
 * `data.state` set to the driver's state) plus what is known about each for links. Driver conf is not in
 * `/json/`, so this pairs apps named `app` with drivers by start time (see driversOfApp).
 */
export function handlesOfApp(
  state: MasterState,
  webUi: string,
  settings: Settings,
  app: string,
  mainClass: string | undefined,
): { handle: Handle; known: Known }[] {
  const active = new Set(state.activedrivers.map((d) => d.id));
  return driversOfApp(state, app, mainClass)
    .sort((a, b) => Number(active.has(b.driver.id)) - Number(active.has(a.driver.id)))
    .map(({ driver, app: info }) => {
      const workerUi = workerUiOf(state, driver.worker);
      const known: Known = {
        masterUi: webUi,
        appId: info.id,
        driverStart: driver.starttime,
        ...(driver.worker && driver.worker !== 'None' ? { workerId: driver.worker } : {}),
        ...(workerUi ? { workerUi } : {}),
      };
      const data = handleDataFor(settings, {
        acceptedBy: settings.endpoints[0]?.rest ?? '',
        appName: app,
        mainClass: driver.mainclass ?? mainClass ?? '',
        submittedAt: driver.starttime,
        via: 'rest',
      });
      const handle: Handle = {
        target: 'standalone',
        submissionId: driver.id,
        applicationId: info.id,
        data: { ...encodeHandleData(data), state: driver.state ?? '' },
      };
      return { handle, known };
    });
}
