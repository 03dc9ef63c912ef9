// The DMS replication instance classes AWS documents, as data.
// Source: AWS DMS User Guide, "Choosing the right AWS DMS replication instance for your migration"
// (CHAP_ReplicationInstance.Types.html: "AWS DMS currently supports the T2, T3, C4, C5, C6i, R4, R5 and
// R6i Amazon EC2 instance classes"), and the sizes in ../shared/reference/dms.md §4.3; read 2026-12-04.
// The API model has no enum for ReplicationInstanceClass, so there is no SDK data to sync with: when AWS
// adds a family, add it here with the date. A class outside this table is rejected by the compiler,
// because CreateReplicationInstance would reject it mid-apply.

export const DMS_INSTANCE_CLASSES_SOURCE =
  'AWS DMS User Guide, Choosing the right AWS DMS replication instance for your migration (read 2026-12-04)';

export interface DmsInstanceFamily {
  readonly family: string;
  /** Runs on CPU credits: a long full load or steady CDC exhausts them. */
  readonly burstable: boolean;
  readonly sizes: readonly string[];
}

const SIXTH_GENERATION_SIZES = [
  'large',
  'xlarge',
  '2xlarge',
  '4xlarge',
  '8xlarge',
  '12xlarge',
  '16xlarge',
  '24xlarge',
  '32xlarge',
];

export const DMS_INSTANCE_FAMILIES: readonly DmsInstanceFamily[] = [
  { family: 't2', burstable: true, sizes: ['micro', 'small', 'medium', 'large'] },
  { family: 't3', burstable: true, sizes: ['micro', 'small', 'medium', 'large'] },
  { family: 'c4', burstable: false, sizes: ['large', 'xlarge', '2xlarge', '4xlarge'] },
  {
    family: 'c5',
    burstable: false,
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '9xlarge', '12xlarge', '18xlarge', '24xlarge'],
  },
  { family: 'c6i', burstable: false, sizes: SIXTH_GENERATION_SIZES },
  { family: 'r4', burstable: false, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge'] },
  {
    family: 'r5',
    burstable: false,
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'],
  },
  { family: 'r6i', burstable: false, sizes: SIXTH_GENERATION_SIZES },
];

/** Every documented class name, e.g. `dms.r6i.large`. */
export const DMS_INSTANCE_CLASSES: readonly string[] = DMS_INSTANCE_FAMILIES.flatMap(({ family, sizes }) =>
  sizes.map((size) => `dms.${family}.${size}`),
);

/** The family facts of a documented class, or undefined when AWS does not list it. */
export function dmsInstanceFamily(instanceClass: string): DmsInstanceFamily | undefined {
  if (!DMS_INSTANCE_CLASSES.includes(instanceClass)) return undefined;
  const family = instanceClass.split('.')[1];
  return DMS_INSTANCE_FAMILIES.find((entry) => entry.family === family);
}
