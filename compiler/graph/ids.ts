// Stable graph node ids. They are derived from plan names only, so the same plan always gives the same
// ids and a plan edit changes exactly the ids of what it touches (the diff relies on that).

import { pathSlug } from '../emit/names.js';

export const nodeId = {
  ssmResolve: (parameter: string) => `secrets.${pathSlug(parameter)}.resolve`,
  sourcePreflight: 'source.preflight',
  sourceRoleEnsure: 'source.role.ensure',
  sourceConfigApply: 'source.config.apply',
  sourceRestart: 'source.restart',
  sourceSlotCreate: (task: string) => `source.slot.${task}.create`,
  sourceSlotDrop: (task: string) => `source.slot.${task}.drop`,
  gate: (name: string) => `gate.${name}`,
  targetPrepare: (db: string) => `target.${db}.prepare`,
  targetPostLoad: (db: string) => `target.${db}.post-load`,
  dmsInstanceCreate: (id: string) => `dms.instance.${id}.create`,
  dmsInstanceDelete: (id: string) => `dms.instance.${id}.delete`,
  dmsEndpointCreate: (id: string) => `dms.endpoint.${id}.create`,
  dmsEndpointTest: (id: string) => `dms.endpoint.${id}.test`,
  dmsEndpointDelete: (id: string) => `dms.endpoint.${id}.delete`,
  dmsTaskCreate: (id: string) => `dms.task.${id}.create`,
  dmsTaskStart: (id: string) => `dms.task.${id}.start`,
  dmsFullLoadWait: (id: string) => `dms.task.${id}.full-load-wait`,
  dmsTaskStop: (id: string) => `dms.task.${id}.stop`,
  dmsTaskDelete: (id: string) => `dms.task.${id}.delete`,
  dmsCertificateImport: (id: string) => `dms.certificate.${id}.import`,
  dmsCertificateDelete: (id: string) => `dms.certificate.${id}.delete`,
  downtimeFence: (db: string) => `source.${db}.fence`,
  cutoverLagWait: (task: string) => `cutover.${task}.lag-wait`,
  cutoverFence: (db: string) => `cutover.${db}.fence`,
  cutoverMarker: (task: string) => `cutover.${task}.marker`,
  cutoverMarkerWait: (task: string) => `cutover.${task}.marker-wait`,
  cutoverSequences: (db: string) => `cutover.${db}.sequences`,
  cutoverSql: (db: string) => `cutover.${db}.sql`,
  cutoverFkRestore: (db: string) => `cutover.${db}.fk-restore`,
  cutoverVerify: (db: string) => `cutover.${db}.verify`,
} as const;
