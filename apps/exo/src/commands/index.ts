import Doctor from './doctor.js';
import EndpointsList from './endpoints/list.js';
import EndpointsShow from './endpoints/show.js';
import ProfileAdd from './profile/add.js';
import ProfileList from './profile/list.js';
import ProfileRemove from './profile/remove.js';
import ProfileUse from './profile/use.js';
import Run from './run.js';
import SandboxApprove from './sandbox/approve.js';
import SandboxInit from './sandbox/init.js';
import SandboxReset from './sandbox/reset.js';
import SandboxServe from './sandbox/serve.js';
import SandboxStatus from './sandbox/status.js';
import Shell from './shell.js';

/** Every command, listed explicitly (oclif "explicit" strategy): no directory scan at start-up. */
export const COMMANDS = {
  run: Run,
  shell: Shell,
  doctor: Doctor,
  'endpoints:list': EndpointsList,
  'endpoints:show': EndpointsShow,
  'sandbox:init': SandboxInit,
  'sandbox:status': SandboxStatus,
  'sandbox:reset': SandboxReset,
  'sandbox:serve': SandboxServe,
  'sandbox:approve': SandboxApprove,
  'profile:add': ProfileAdd,
  'profile:list': ProfileList,
  'profile:use': ProfileUse,
  'profile:remove': ProfileRemove,
};
