import protobuf from 'protobufjs/minimal.js';

// int64 fields must decode to plain numbers (ms timestamps and counters stay far below 2^53). This
// runs before the generated code is evaluated (wire.ts imports it first), because the generated
// classes take their int64 defaults from util.Long at load time.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();
