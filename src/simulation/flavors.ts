import type { Accelerator, FlavorProfile } from '../service/node-backend.js';

const CPU_ONLY = (cores: number): FlavorProfile => ({
  resources: { cpu: `${cores * 1000 - 80}m`, memory: `${cores * 4 * 1024 - 300}Mi` },
  availableResources: { cpu: `${cores * 1000 - 280}m`, memory: `${cores * 4 * 1024 - 900}Mi` },
  accelerator: null,
});

const GPU = (cards: number): FlavorProfile => ({
  resources: { cpu: `${cards * 8000 - 80}m`, memory: `${cards * 64 * 1024 - 600}Mi`, 'nvidia.com/gpu': String(cards) },
  availableResources: { cpu: `${cards * 8000 - 480}m`, memory: `${cards * 64 * 1024 - 2600}Mi`, 'nvidia.com/gpu': String(cards) },
  accelerator: 'gpu',
});

const NPU = (cards: number): FlavorProfile => ({
  resources: { cpu: `${cards * 24000 - 80}m`, memory: `${cards * 192 * 1024 - 800}Mi`, 'huawei.com/ascend-snt9': String(cards) },
  availableResources: { cpu: `${cards * 24000 - 680}m`, memory: `${cards * 192 * 1024 - 3200}Mi`, 'huawei.com/ascend-snt9': String(cards) },
  accelerator: 'npu',
});

/**
 * ModelArts flavor ids encode their size loosely (`modelarts.vm.cpu.8ud`, `modelarts.vm.gpu.t4u8`,
 * `modelarts.bm.npu.arm.8snt9b3.d`); the simulation reads what it can and falls back to 4 cores.
 */
export function flavorProfile(flavor: string): FlavorProfile {
  if (flavor.includes('npu')) {
    const cards = /\.(\d+)snt/.exec(flavor)?.[1];
    return NPU(cards ? Number(cards) : 8);
  }
  if (flavor.includes('gpu')) {
    const cards = /u(\d+)$/.exec(flavor)?.[1] ?? /\.(\d+)[a-z]/.exec(flavor)?.[1];
    return GPU(cards ? Math.min(Number(cards), 16) : 1);
  }
  const cores = /cpu\.(\d+)u/.exec(flavor)?.[1];
  return CPU_ONLY(cores ? Math.min(Number(cores), 256) : 4);
}

/** The driver simulated nodes get when their pool names none. */
export const DEFAULT_DRIVER_VERSIONS: Readonly<Record<Accelerator, string>> = { gpu: '535.54.03', npu: '23.0.6' };
