/** `crossprobe dev`: a local fleet (NATS, lab, collector, agents) and the scripted story played on it. */
export { startFleet, type Fleet, type FleetOptions } from './fleet.js';
export { playStory, SCENARIOS, type Step, type StepOutcome } from './story.js';
