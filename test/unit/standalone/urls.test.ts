import { describe, expect, it, test } from 'vitest';
import { DRIVER_STATES, mapDriverState } from '../../../src/targets/standalone/states.js';
import {
  defaultWebUi,
  driverLogPageUrl,
  driverLogTextUrl,
  historyAppUrl,
  isLoopbackHost,
  masterAppPageUrl,
  masterJsonUrl,
  normalizeMasterUrls,
  restUrl,
  sparkMasterProperty,
} from '../../../src/targets/standalone/urls.js';

describe('normalizeMasterUrls', () => {
  test.each([
    ['spark://spark-master:6066', [['http://spark-master:6066', true, false]]],
    ['spark://spark-master', [['http://spark-master:6066', true, false]]],
    [
      'spark://m1:6066,m2:6067',
      [
        ['http://m1:6066', true, false],
        ['http://m2:6067', true, false],
      ],
    ],
    ['spark://127.0.0.1:6066/', [['http://127.0.0.1:6066', true, true]]],
    ['http://10.0.0.5:6066', [['http://10.0.0.5:6066', true, false]]],
    ['http://localhost:16066/', [['http://localhost:16066', true, true]]],
    ['http://master', [['http://master:6066', true, false]]],
    // On 80/443 a REST server is a proxy's: not direct (spark.master is not sent for it).
    ['http://master:80', [['http://master:80', false, false]]],
    ['https://spark.example.com', [['https://spark.example.com:443', false, false]]],
    ['https://proxy.example.com/spark-rest/', [['https://proxy.example.com:443/spark-rest', false, false]]],
    ['https://proxy.example.com:8443/a/b', [['https://proxy.example.com:8443/a/b', false, false]]],
    ['master:6066', [['http://master:6066', true, false]]],
    ['http://[::1]:6066', [['http://[::1]:6066', true, true]]],
    ['  SPARK://Master:6066 ', [['http://master:6066', true, false]]],
  ])('%s', (raw, expected) => {
    const got = normalizeMasterUrls(raw).map((e) => [e.rest, e.direct, e.loopback]);
    expect(got).toEqual(expected);
  });

  test.each([
    ['yarn://rm:8032', /scheme yarn:\/\//],
    ['mesos://m:5050', /scheme mesos:\/\//],
    ['https://user:pw@proxy/spark', /credentials in the URL; put them in standalone.headers/],
    ['http://m:6066/?x=1', /query or fragment/],
    ['spark://m:7077', /port 7077, the master's RPC port/],
    ['http://', /not a URL/],
  ])('%s is refused', (raw, message) => {
    expect(() => normalizeMasterUrls(raw)).toThrow(message);
  });

  it('https on a custom port is secure', () => {
    expect(normalizeMasterUrls('https://m:6066')[0]).toMatchObject({ secure: true, port: 6066 });
  });
});

test.each([
  ['localhost', true],
  ['LOCALHOST', true],
  ['127.0.0.1', true],
  ['127.1.2.3', true],
  ['::1', true],
  ['[::1]', true],
  ['10.0.0.1', false],
  ['spark-master', false],
  ['127.0.0.1.evil.com', false],
  ['0.0.0.0', false],
])('isLoopbackHost(%s) = %s', (host, expected) => {
  expect(isLoopbackHost(host)).toBe(expected);
});

describe('sparkMasterProperty', () => {
  test.each([
    [['spark://m:6066'], 'spark://m:6066'],
    [['spark://m1:6066,m2:6066'], 'spark://m1:6066,m2:6066'],
    [['http://m1:6066', 'https://m2:6066'], 'spark://m1:6066,m2:6066'],
    [['https://proxy/spark'], undefined],
    [['https://proxy/spark', 'http://m2:6066'], 'spark://m2:6066'],
    [['http://[::1]:6066'], 'spark://[::1]:6066'],
    // A proxy on the HTTPS (or HTTP) port without a path: the server must use its own master URL.
    [['https://spark-rest.staging.internal'], undefined],
    [['https://spark-rest.staging.internal:443', 'http://gw.internal'], 'spark://gw.internal:6066'],
    [['http://gw.internal:80'], undefined],
  ])('%j -> %s', (masters, expected) => {
    expect(sparkMasterProperty(masters.flatMap(normalizeMasterUrls))).toBe(expected);
  });
});

describe('link builders', () => {
  test.each([
    [restUrl('http://m:6066', 'create'), 'http://m:6066/v1/submissions/create'],
    [
      restUrl('http://m:6066/', 'status', 'driver-20261125180711-0000'),
      'http://m:6066/v1/submissions/status/driver-20261125180711-0000',
    ],
    [restUrl('https://p:443/spark', 'kill', 'a/b'), 'https://p:443/spark/v1/submissions/kill/a%2Fb'],
    [defaultWebUi(normalizeMasterUrls('spark://m:6066')[0] as never), 'http://m:8080'],
    [defaultWebUi(normalizeMasterUrls('http://[::1]:6066')[0] as never), 'http://[::1]:8080'],
    [masterJsonUrl('http://m:8080/'), 'http://m:8080/json/'],
    [
      masterAppPageUrl('http://m:8080', 'app-20261125180714-0000'),
      'http://m:8080/app/?appId=app-20261125180714-0000',
    ],
    [
      driverLogPageUrl('http://w:8081', 'driver-20261125180711-0000'),
      'http://w:8081/logPage/?driverId=driver-20261125180711-0000&logType=stderr',
    ],
    [
      driverLogPageUrl('http://w:8081/', 'd-1', 'stdout'),
      'http://w:8081/logPage/?driverId=d-1&logType=stdout',
    ],
    [
      driverLogTextUrl('http://w:8081', 'd-1'),
      'http://w:8081/log/?driverId=d-1&logType=stderr&byteLength=65536',
    ],
    [historyAppUrl('http://shs:18080/', 'app-1'), 'http://shs:18080/history/app-1/jobs/'],
  ])('%s', (got, expected) => {
    expect(got).toBe(expected);
  });
});

describe('driver states (DriverState.scala, docs/protocols.md 1.5)', () => {
  test.each([
    ['SUBMITTED', 'PENDING', false],
    ['RUNNING', 'RUNNING', false],
    ['RELAUNCHING', 'PENDING', false],
    ['UNKNOWN', 'UNKNOWN', false],
    ['FINISHED', 'SUCCEEDED', true],
    ['FAILED', 'FAILED', true],
    ['ERROR', 'FAILED', true],
    ['KILLED', 'CANCELLED', true],
    ['SOMETHING_NEW', 'UNKNOWN', false],
    ['toString', 'UNKNOWN', false],
  ])('%s -> %s (terminal %s)', (state, phase, terminal) => {
    expect(mapDriverState(state)).toEqual({ phase, terminal });
  });

  it('terminal states are exactly the ones the master removes drivers on', () => {
    const terminal = Object.entries(DRIVER_STATES)
      .filter(([, v]) => v.terminal)
      .map(([k]) => k)
      .sort();
    expect(terminal).toEqual(['ERROR', 'FAILED', 'FINISHED', 'KILLED']);
  });
});
