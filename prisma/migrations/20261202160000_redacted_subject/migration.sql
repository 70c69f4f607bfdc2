-- CreateTable
CREATE TABLE "RedactedSubject" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "redactedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "RedactedSubject_shop_keyHash_key" ON "RedactedSubject"("shop", "keyHash");

