/** How `review sample` groups a run's notes before drawing. Apart from types.ts's schemas: the CLI's option help lists the modes at every start (issue 19). */
export type Stratify = 'none' | 'label' | 'detector' | 'length';
export const STRATIFY_MODES: readonly Stratify[] = ['none', 'label', 'detector', 'length'];
