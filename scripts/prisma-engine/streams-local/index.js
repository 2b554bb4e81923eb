// Stand-in for @prisma/streams-local: Prisma's CLI loads it only for `prisma dev` (a local database
// server Assure does not use: `npm start` runs the embedded PostgreSQL). The real package needs
// Node >= 22 and made `npm install` warn EBADENGINE on the Node 20 this project supports.
export async function startLocalDurableStreamsServer() {
  throw new Error("`prisma dev` is not used by Assure: `npm start` runs an embedded PostgreSQL (see README).");
}
