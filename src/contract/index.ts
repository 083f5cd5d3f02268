export * from './config';
export * from './report';
export * from './events';
export * from './methods';
export * from './channels';
export * from './history';
export * from './bundle';
export * from './partner';
