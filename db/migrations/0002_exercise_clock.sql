ALTER TABLE "exercises" ADD COLUMN "clock_running" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "exercises" ADD COLUMN "clock_speed" double precision DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "exercises" ADD COLUMN "clock_anchor_wall" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "exercises" ADD COLUMN "clock_anchor_ms" bigint DEFAULT 0 NOT NULL;