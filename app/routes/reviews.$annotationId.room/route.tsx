import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import katexStylesUrl from "katex/dist/katex.min.css?url";
import { ContentFormatsProvider } from "~/components/markdown/content-context.tsx";
import { ReviewRoom } from "~/components/room/review-room.tsx";
import labelingStylesUrl from "~/styles/labeling.css?url";
import projectStylesUrl from "~/styles/project.css?url";
import roomStylesUrl from "~/styles/room.css?url";
import { loadReviewRoom } from "./review-room.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: katexStylesUrl },
  { rel: "stylesheet", href: labelingStylesUrl },
  { rel: "stylesheet", href: projectStylesUrl },
  { rel: "stylesheet", href: roomStylesUrl },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Review room · ${data.item.externalId} · ${data.project.name} · Quorum`
      : "Review room · Quorum",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return loadReviewRoom(request, context, params);
}

export default function ReviewRoomPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <ContentFormatsProvider formats={data.contentFormats}>
      <ReviewRoom key={data.docName} data={data} />
    </ContentFormatsProvider>
  );
}
