-- CreateTable
CREATE TABLE "RedactedSubject" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "redactedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RedactedSubject_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RedactedSubject_shop_keyHash_key" ON "RedactedSubject"("shop", "keyHash");

